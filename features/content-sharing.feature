Feature: Screen and program sharing, and content from other systems
  Guide, "Screen and program sharing": "Screen and program sharing with Pexip VMRs and other
  endpoints works in the same way as when sharing between Skype for Business / Lync users."
  "Sharing your screen, program or PowerPoint files with VMR participants or other endpoints":
  "you can share your desktop, a specific program or PowerPoint files in the same way as you
  normally would". "Viewing shared content from other endpoints": "If the external endpoint or a
  VMR participant starts content sharing, you will be invited to view the content in the
  standard manner. The content is shown in the main window and the active speaker from the VMR
  or the other endpoint participant is shown in a compact window. When a participant in the VMR
  is sharing content, the SfB/Lync presentation tab will always indicate that "<VMR contact
  name> is presenting" regardless of which of the VMR participants is sharing their screen."
  DESIGN §2: one presenter at a time, a new presenter takes the floor; SIP systems share by
  BFCP, H.323 systems by H.239.

  Background:
    Given Parley runs the demo configuration
    And Alice uses Skype for Business
    And Bob uses Skype for Business
    And Dave uses a SIP room system
    And Alice dials meet.bob@example.com
    And Bob dials meet.bob@example.com
    And Dave dials meet.bob@example.com

  Scenario Outline: Sharing from Skype for Business reaches Skype for Business and room systems
    When Alice shares <what>
    Then Alice is presenting
    And Bob sees "Bob's room" is presenting
    And Dave sees content

    Examples:
      | what              |
      | her screen        |
      | a program         |
      | a PowerPoint file |

  # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
  @sim-only
  Scenario: Sharing from Skype for Business reaches an H.323 room system
    Given Erin uses an H.323 room system
    And Erin dials meet.bob@example.com
    When Alice shares her screen
    Then Erin sees content

  Scenario Outline: Skype for Business shows the meeting room as presenting, whoever presents
    Given <presenter> uses <system>
    And <presenter> dials meet.bob@example.com
    When <presenter> shares content
    Then Alice sees "Bob's room" is presenting
    And Bob sees "Bob's room" is presenting

    Examples:
      | presenter | system            |
      | Grace     | a SIP room system |

    # The web app has no wire form until a WebRTC adapter exists (DESIGN §5: not on the wire yet).
    @sim-only
    Examples: the web app
      | presenter | system      |
      | Carol     | the web app |

    # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
    @sim-only
    Examples: H.323
      | presenter | system               |
      | Erin      | an H.323 room system |

  # The loopback media hears no speaker (the media worker reports the loudest one).
  @sim-only
  Scenario: The content is in the main window and the active speaker in a small one
    Given Dave shares content
    When Bob becomes the loudest speaker
    Then Alice sees content with Bob in a small window

  Scenario Outline: A new presenter takes the floor
    Given <first> shares content
    When <second> shares content
    Then <second> is presenting
    And <first> is not presenting

    Examples:
      | first | second |
      | Alice | Dave   |
      | Dave  | Bob    |
      | Bob   | Alice  |

  # H.323 systems exist only in the simulator until the H.323 adapter (DESIGN §2 "h323").
  @sim-only
  Scenario Outline: An H.323 room system takes the floor and gives it up to others
    Given Erin uses an H.323 room system
    And Erin dials meet.bob@example.com
    And <first> shares content
    When <second> shares content
    Then <second> is presenting
    And <first> is not presenting

    Examples:
      | first | second |
      | Dave  | Erin   |
      | Erin  | Alice  |

  Scenario: Stopping sharing brings the meeting back
    Given Dave shares content
    When Dave stops sharing
    Then Dave is not presenting
    And Alice sees Bob and Dave

  Scenario: Content from a room system in a point-to-point call
    Given Frank uses a SIP room system at room1@rooms.example.com
    And Carol uses Skype for Business
    And Carol dials room1@rooms.example.com
    When Frank shares content
    Then Carol sees content

  Scenario: Sharing from Skype for Business in a point-to-point call with a room system
    Given Frank uses a SIP room system at room1@rooms.example.com
    And Carol uses Skype for Business
    And Carol dials room1@rooms.example.com
    When Carol shares her screen
    Then Frank sees content

  Scenario: Sharing between two Skype for Business users, for comparison
    Given Carol uses Skype for Business
    And Grace uses Skype for Business
    And Carol calls Grace on Skype for Business
    And Grace answers
    When Carol shares her screen
    Then Grace sees "Carol" is presenting
